import {Box, Text, render, useApp, useInput} from 'ink';
import {useState} from 'react';
import {STAGES} from '../core/paths.js';

/** Opens the full-screen workspace; resolves with the exit code after `:cexit` or SIGTERM/SIGHUP. */
export async function runTui(options: {root: string; color: boolean; env: NodeJS.ProcessEnv}): Promise<number> {
	const instance = render(<Board root={options.root} />, {exitOnCtrlC: false});
	const stop = () => {
		instance.unmount();
	};

	process.once('SIGTERM', stop);
	process.once('SIGHUP', stop);
	await instance.waitUntilExit();
	return 0;
}

function Board({root}: {root: string}) {
	const {exit} = useApp();
	const [typed, setTyped] = useState('');
	useInput((input, key) => {
		if (key.return) {
			if (typed === ':cexit') {
				exit();
			}

			setTyped('');
			return;
		}

		setTyped(current => (current + input).slice(-20));
	});
	return (
		<Box flexDirection="column">
			<Text>cws {root}</Text>
			<Box>
				{STAGES.map(stage => (
					<Box key={stage} width={20} borderStyle="single">
						<Text>{stage[0]!.toUpperCase() + stage.slice(1)}</Text>
					</Box>
				))}
			</Box>
		</Box>
	);
}
