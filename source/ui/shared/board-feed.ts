import {BoardFeed} from '../../core/board/index.js';
import type {ShellServices} from '../../commands/types.js';

const feeds = new WeakMap<ShellServices, BoardFeed>();

/**
 * The one live board of a running interface: every part of the UI that
 * needs the listing (the board pane, commands, the other panes' badges)
 * shares this feed, so the stage folders are polled once. The feed is
 * created stopped; the board pane starts it and stops it.
 */
export function boardFeedFor(services: ShellServices): BoardFeed {
	let feed = feeds.get(services);
	if (!feed) {
		feed = new BoardFeed({paths: services.paths, store: services.store});
		feeds.set(services, feed);
	}

	return feed;
}
