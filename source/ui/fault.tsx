import {useEffect, useState} from 'react';

/**
 * Test hook, not a feature: $CWS_FAULT makes the running full-screen
 * interface throw a real error, so that an end-to-end test can check that an
 * uncaught error restores the terminal and records a crash. Only these exact
 * values do anything (an unknown value is ignored, so a typo cannot crash a
 * session), and this is the only place the variable is read.
 * - 'crash-after-first-frame': a timer throws once the first frame is drawn.
 * - 'crash-in-render': a component throws while rendering, after the first frame.
 */
export const FAULTS = ['crash-after-first-frame', 'crash-in-render'] as const;
export type Fault = (typeof FAULTS)[number];

/** The fault $CWS_FAULT asks for, if it names one exactly. */
export function faultFrom(env: NodeJS.ProcessEnv): Fault | undefined {
	const value = env['CWS_FAULT'];
	return FAULTS.find(fault => fault === value);
}

/** Time after the first commit: the frame writer flushes on the next tick, well before this. */
const AFTER_FIRST_FRAME_MS = 200;

/** Draws nothing; throws the injected fault once the interface is on screen. */
export function FaultTrigger({fault}: {fault: Fault}) {
	const [armed, setArmed] = useState(false);
	useEffect(() => {
		const timer = setTimeout(() => {
			if (fault === 'crash-in-render') setArmed(true);
			else throw new Error(`injected fault (CWS_FAULT=${fault})`);
		}, AFTER_FIRST_FRAME_MS);
		return () => clearTimeout(timer);
	}, [fault]);
	if (armed) throw new Error(`injected fault (CWS_FAULT=${fault})`);
	return null;
}
