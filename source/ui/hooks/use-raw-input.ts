import {useStdin} from 'ink';
import {useEffect} from 'react';

/**
 * Subscribes to Ink's stdin events as they are, one call per event (a run
 * of characters or one escape sequence, a lone Esc after a tick), with raw
 * mode on. The shell's single entry point for keys. Ink's useInput is not
 * used because it throws on some sequences a terminal can send (a cursor
 * report ESC [ 999 ; 999 R has modifier bits but no key name) and drops
 * keys such as Ctrl+\.
 */
export function useRawInput(handler: (sequence: string) => void): void {
	const {setRawMode, isRawModeSupported, internal_eventEmitter: events} = useStdin();
	useEffect(() => {
		if (!isRawModeSupported) return;
		setRawMode(true);
		return () => {
			setRawMode(false);
		};
	}, [isRawModeSupported, setRawMode]);
	useEffect(() => {
		const listener = (input: string) => handler(input);
		events.on('input', listener);
		return () => {
			events.off('input', listener);
		};
	}, [events, handler]);
}
