import xterm from '@xterm/headless';
import {afterEach, describe, expect, it} from 'vitest';
import {boxPath, escapeXml, paletteHex, readScreen, renderSvg, screenText, THEME} from '../../scripts/media/svg.js';

const terminals: Array<InstanceType<typeof xterm.Terminal>> = [];
afterEach(() => {
	for (const terminal of terminals.splice(0)) terminal.dispose();
});

/** A headless xterm fed with `data`, read back as the media script reads cws. */
async function screenOf(data: string, cols = 20, rows = 3) {
	const terminal = new xterm.Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	terminals.push(terminal);
	await new Promise<void>(resolve => {
		terminal.write(data, resolve);
	});
	return readScreen(terminal, false);
}

/** The text elements of an SVG as [fill, text] pairs. */
function texts(svg: string): Array<[string, string]> {
	return [...svg.matchAll(/<text x="[^"]*" y="[^"]*" fill="([^"]+)"[^>]*>([^<]*)<\/text>/g)].map(match => [match[1]!, match[2]!]);
}

describe('media SVG renderer', () => {
	it('escapes names holding markup and control characters, so the image stays valid XML', async () => {
		const svg = renderSvg(await screenOf('a<b>&"c\''), {title: 'cws — <board> & co'});
		expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&#39;');
		expect(svg).toContain('cws — &lt;board&gt; &amp; co');
		expect(svg).not.toMatch(/<(?![a-z/])/); // Every '<' opens or closes an element.
		expect(escapeXml('x\u0001y')).toBe('x\uFFFDy');
	});

	it('maps the 16 ANSI colours, the 256-colour cube, greys and truecolor, and swaps them for inverse', async () => {
		const svg = renderSvg(await screenOf('\u001B[31mR\u001B[0m \u001B[38;5;196mC\u001B[0m \u001B[38;5;244mG\u001B[0m \u001B[38;2;1;2;3mT\u001B[0m \u001B[7mI\u001B[0m'));
		expect(texts(svg)).toEqual([[THEME.ansi[1], 'R'], ['#ff0000', 'C'], ['#808080', 'G'], ['#010203', 'T'], [THEME.background, 'I']]);
		expect(svg).toMatch(new RegExp(`<rect x="\\d+" y="\\d+" width="9" height="18" fill="${THEME.foreground}"/>`));
		expect(paletteHex(16)).toBe('#000000');
		expect(paletteHex(231)).toBe('#ffffff');
	});

	it('keeps bold, dim and underline, and one run per style', async () => {
		const svg = renderSvg(await screenOf('\u001B[1mbold\u001B[0m \u001B[2mdim\u001B[0m \u001B[4mu\u001B[0m plain text', 30));
		expect(svg).toMatch(/font-weight="bold">bold</);
		expect(texts(svg).find(([, text]) => text === 'dim')?.[0]).not.toBe(THEME.foreground);
		expect(texts(svg).map(([, text]) => text)).toEqual(['bold', 'dim', 'u', 'plain', 'text']);
		expect(svg).toMatch(/<path d="M\d+ [\d.]+h9"/); // The underline.
	});

	it('puts every glyph on its own cell and draws frames as lines', async () => {
		const screen = await screenOf('┌─┐\r\n║x║\r\n╚═╝', 5, 3);
		expect(screenText(screen)).toBe('┌─┐\n║x║\n╚═╝\n');
		const svg = renderSvg(screen, {cellWidth: 10, cellHeight: 20});
		expect(texts(svg)).toEqual([[THEME.foreground, 'x']]);
		expect(svg).toMatch(/<text x="24" /); // Column 1 at 10 px past the 14 px padding.
		expect(boxPath('─', 0, 0, 10, 20)).toBe('M0 10.5H10');
		expect(boxPath('╔', 0, 0, 10, 20)).toBe('M10 8.5H3.5V20M10 12.5H7.5V20');
		expect(boxPath('x', 0, 0, 10, 20)).toBeUndefined();
	});
});
