import {useEffect, useState} from 'react';

/** A terminal (or a stand-in in tests) that reports its size and resizes. */
export type SizeSource = {
	readonly columns?: number | undefined;
	readonly rows?: number | undefined;
	on(event: 'resize', listener: () => void): unknown;
	off(event: 'resize', listener: () => void): unknown;
};

export type TerminalSize = {columns: number; rows: number};

/** Size used when the source does not know it (not a terminal). */
export const FALLBACK_SIZE: TerminalSize = {columns: 80, rows: 24};

export function readSize(source: SizeSource): TerminalSize {
	return {columns: source.columns || FALLBACK_SIZE.columns, rows: source.rows || FALLBACK_SIZE.rows};
}

/** The terminal's size, updated on every resize (Ink 6.8 has no useWindowSize). */
export function useTerminalSize(source: SizeSource): TerminalSize {
	const [size, setSize] = useState(() => readSize(source));
	useEffect(() => {
		const update = () => {
			const next = readSize(source);
			setSize(current => (current.columns === next.columns && current.rows === next.rows ? current : next));
		};

		source.on('resize', update);
		update();
		return () => {
			source.off('resize', update);
		};
	}, [source]);
	return size;
}
