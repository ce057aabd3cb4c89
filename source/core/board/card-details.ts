import type {Activity} from './activity.js';
import type {GitState} from './git.js';
import type {BoardListing, ProjectCard} from './listing.js';
import {isStale, withDetail} from './scanner.js';

/** A published card and what it was made from, so an unchanged card keeps its object. */
type Detailed = {base: ProjectCard; activity: Activity | undefined; git: GitState | undefined; stale: boolean | undefined; card: ProjectCard};

/**
 * What the board feed knows of each card beyond the listing (its newest
 * content, its git state) and the cards it published from it: a card whose
 * listing entry, activity, git state and staleness are unchanged keeps its
 * object, so a view can tell "no change" by identity.
 */
export class CardDetails {
	private readonly activity = new Map<string, Activity>();
	private readonly git = new Map<string, GitState>();
	private readonly detailed = new Map<string, Detailed>();

	/** How many cards have their activity read (the first walk reads every card). */
	get walked(): number {
		return this.activity.size;
	}

	/** Whether the card's activity has been read. */
	hasActivity(key: string): boolean {
		return this.activity.has(key);
	}

	/** Forgets the cards no longer listed. */
	keepOnly(listed: ReadonlyMap<string, ProjectCard>): void {
		for (const map of [this.activity, this.git, this.detailed]) {
			for (const key of map.keys()) {
				if (!listed.has(key)) map.delete(key);
			}
		}
	}

	/** Keeps newly read activity; whether any card's changed. */
	keepActivity(found: ReadonlyMap<string, Activity>): boolean {
		let changed = false;
		for (const [key, value] of found) {
			const before = this.activity.get(key);
			if (!before || before.newestMs !== value.newestMs || before.files !== value.files || before.newestPath !== value.newestPath) {
				this.activity.set(key, value);
				changed = true;
			}
		}

		return changed;
	}

	/** Keeps newly read git states; whether any card's changed. */
	keepGit(found: ReadonlyMap<string, GitState>): boolean {
		let changed = false;
		for (const [key, value] of found) {
			if (JSON.stringify(this.git.get(key)) !== JSON.stringify(value)) {
				this.git.set(key, value);
				changed = true;
			}
		}

		return changed;
	}

	/** The listing's cards with what is known of each (a Sandbox card idle `staleDays` is stale). */
	cards(listing: BoardListing, staleDays: number, now: number): ProjectCard[] {
		return listing.cards.map(base => {
			const activity = this.activity.get(base.key);
			const git = this.git.get(base.key);
			// Nothing to add (every card of the first listing, before any walk):
			// the listing's own card is published, not a copy of it.
			if (activity === undefined && git === undefined) {
				this.detailed.delete(base.key);
				return base;
			}

			const stale = isStale(base, activity, staleDays, now);
			const before = this.detailed.get(base.key);
			if (before && before.base === base && before.activity === activity && before.git === git && before.stale === stale) {
				return before.card;
			}

			const card = withDetail(base, activity, git, staleDays, now);
			this.detailed.set(base.key, {base, activity, git, stale, card});
			return card;
		});
	}
}
