import {describe, expect, it} from 'vitest';
import {formatKey, isValidKeyName, keysFromSequence} from '../../source/commands/keys.js';

const names = (sequence: string) => keysFromSequence(sequence).map(press => press.name);

describe('keysFromSequence', () => {
	it('names control keys', () => {
		expect(names('\u0003')).toEqual(['ctrl+c']);
		expect(names('\u0004')).toEqual(['ctrl+d']);
		expect(names('\u0007')).toEqual(['ctrl+g']);
		expect(names('\u001C')).toEqual(['ctrl+\\']);
		expect(names('\u001B')).toEqual(['esc']);
		expect(names('\t')).toEqual(['tab']);
		expect(names('\u001B[Z')).toEqual(['shift+tab']);
		expect(names('\u007F')).toEqual(['backspace']);
		expect(names('\r')).toEqual(['enter']);
		expect(names(' ')).toEqual(['space']);
		expect(names('Q')).toEqual(['Q']);
	});

	it('names arrows and editing keys in both cursor modes, with modifiers', () => {
		expect(names('\u001B[A')).toEqual(['up']);
		expect(names('\u001BOB')).toEqual(['down']);
		expect(names('\u001B[1;5C')).toEqual(['ctrl+right']);
		expect(names('\u001B[1;3D')).toEqual(['alt+left']);
		expect(names('\u001B\u001B[A')).toEqual(['alt+up']);
		expect(names('\u001B[5~')).toEqual(['pageup']);
		expect(names('\u001B[3~')).toEqual(['delete']);
		expect(names('\u001B[H')).toEqual(['home']);
		expect(names('\u001Bx')).toEqual(['alt+x']);
		expect(names('\u001B\r')).toEqual(['alt+enter']);
	});

	it('ignores sequences that are not keys: cursor reports, focus and mouse events, unknown CSI', () => {
		for (const sequence of ['\u001B[999;999R', '\u001B[12;40R', '\u001B[I', '\u001B[O', '\u001B[<0;3;4M', '\u001B[?1;2c', '\u001B[99~', '\u001B[1;2;3;4 q']) {
			expect(names(sequence), JSON.stringify(sequence)).toEqual([]);
		}
	});

	it('splits several characters arriving at once into one press each, Enter included', () => {
		expect(keysFromSequence(':cexit\r')).toEqual([
			{name: ':', text: ':'},
			{name: 'c', text: 'c'},
			{name: 'e', text: 'e'},
			{name: 'x', text: 'x'},
			{name: 'i', text: 'i'},
			{name: 't', text: 't'},
			{name: 'enter'},
		]);
		expect(names('a\u0003\u007Fb\t')).toEqual(['a', 'ctrl+c', 'backspace', 'b', 'tab']);
	});

	it('drops characters that are neither printable nor a known control', () => {
		expect(names('\u0085')).toEqual([]);
	});
});

describe('key names', () => {
	it('accepts what keysFromSequence produces and rejects the rest', () => {
		for (const name of ['a', 'Q', ':', '?', 'enter', 'esc', 'ctrl+c', 'ctrl+\\', 'shift+tab', 'alt+x', 'pagedown', 'delete']) {
			expect(isValidKeyName(name), name).toBe(true);
		}

		for (const name of ['', ' ', 'ctrl+', 'ctrl+ab', 'super+a', 'hyper+q', 'ab']) expect(isValidKeyName(name), name).toBe(false);
	});

	it('formats keys for people', () => {
		expect(formatKey('ctrl+g')).toBe('Ctrl+G');
		expect(formatKey('up')).toBe('↑');
		expect(formatKey('esc')).toBe('Esc');
		expect(formatKey('?')).toBe('?');
	});
});
