import {describe, expect, it} from 'vitest';
import {formatKey, isValidKeyName, keysFromInk, type InkKey} from '../../source/commands/keys.js';

const none: InkKey = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
};
const names = (input: string, key: Partial<InkKey> = {}) => keysFromInk(input, {...none, ...key}).map(press => press.name);

describe('keysFromInk', () => {
	it('names control keys the way Ink reports them', () => {
		expect(names('c', {ctrl: true})).toEqual(['ctrl+c']);
		expect(names('d', {ctrl: true})).toEqual(['ctrl+d']);
		expect(names('g', {ctrl: true})).toEqual(['ctrl+g']);
		expect(names('\u001C')).toEqual(['ctrl+\\']);
		expect(names('', {escape: true, meta: true})).toEqual(['esc']);
		expect(names('', {tab: true})).toEqual(['tab']);
		expect(names('', {tab: true, shift: true})).toEqual(['shift+tab']);
		expect(names('', {delete: true})).toEqual(['backspace']);
		expect(names('\r', {return: true})).toEqual(['enter']);
		expect(names('', {upArrow: true})).toEqual(['up']);
		expect(names('', {upArrow: true, ctrl: true})).toEqual(['ctrl+up']);
		expect(names('x', {meta: true})).toEqual(['alt+x']);
		expect(names(' ')).toEqual(['space']);
		expect(names('Q', {shift: true})).toEqual(['Q']);
	});

	it('splits several characters arriving at once into one press each, Enter included', () => {
		expect(keysFromInk(':cexit\r', none)).toEqual([
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
	it('accepts what keysFromInk produces and rejects the rest', () => {
		for (const name of ['a', 'Q', ':', '?', 'enter', 'esc', 'ctrl+c', 'ctrl+\\', 'shift+tab', 'alt+x', 'pagedown']) {
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
