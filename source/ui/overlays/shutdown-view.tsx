import {Box, Text} from 'ink';
import type {ReactElement} from 'react';
import type {ShutdownView as ShutdownState} from '../state/app-state.js';
import type {Theme} from '../theme.js';

const phaseText = {
	planning: 'Preparing to leave…',
	asking: 'Before leaving:',
	running: 'Leaving…',
	done: 'Done.',
} as const;

/** cexit's plan, its questions and its progress. */
export function ShutdownView({view, width, height, theme}: {view: ShutdownState; width: number; height: number; theme: Theme}) {
	const question = view.phase === 'asking' ? view.steps[view.asking]?.question : undefined;
	const lines: ReactElement[] = [];
	view.steps.forEach((step, index) => {
		const answer = step.question ? view.answers[step.question.id] : undefined;
		const chosen = answer === undefined ? '' : ` → ${step.question!.choices.find(choice => choice.value === answer)?.label ?? answer}`;
		lines.push(
			<Text key={`s${index}`} wrap="truncate" bold={index === view.asking && question !== undefined}>
				{'• '}
				{step.title}
				{chosen}
			</Text>,
		);
		for (const [offset, detail] of (step.details ?? []).entries()) {
			lines.push(
				<Text key={`s${index}d${offset}`} color={theme.muted} wrap="truncate">
					{'    '}
					{detail}
				</Text>,
			);
		}
	});
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold wrap="truncate">
				{phaseText[view.phase]}
				{view.force ? ' (not waiting)' : ''}
			</Text>
			{lines.slice(0, Math.max(0, height - 4 - (question ? question.choices.length + 1 : 0) - Math.min(3, view.progress.length)))}
			{question ? (
				<Box flexDirection="column">
					<Text color={theme.warning} wrap="truncate">
						{question.prompt}
					</Text>
					{question.choices.map((choice, index) => (
						<Text key={choice.value} inverse={index === view.choice} wrap="truncate">
							{index === view.choice ? theme.marker : ' '} {choice.label}
						</Text>
					))}
				</Box>
			) : null}
			{view.progress.slice(-3).map((line, index) => (
				<Text key={`p${index}`} color={theme.info} wrap="truncate">
					{line}
				</Text>
			))}
			<Text color={theme.muted} wrap="truncate">
				{question ? '↑↓ choose · Enter confirm · Esc/Ctrl+G stay · :cexit! skip waiting' : ':cexit! skips waiting'}
			</Text>
		</Box>
	);
}
