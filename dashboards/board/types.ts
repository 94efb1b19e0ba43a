// What the board shows: one evaluation of every unit, whichever data source produced it.
import type { Bilingual } from '../../inventory/index.ts';
import type { State } from '../states.ts';
import type { Window } from './maintenance.ts';

export interface SignoffView {
  signed: boolean;
  who: string;
  team: string;
  note: string;
  at: string;
  origin: string;
}

/** An acknowledgement ("I'm on it") still open: who, when, with what note. */
export interface AckView {
  id: string;
  who: string;
  team: string;
  note: string;
  at: string;
}

export interface SiteItemView {
  check: string;
  state: State;
  since: string | null;
  /** The shared-cause incident (its item) this failure is part of: nothing to fix locally. */
  incident?: string;
  /** Why it is not GO, in both languages (inventory/remedies.ts' causes). */
  reason?: Bilingual;
  /** What to do about it, when the cause says. */
  fix?: Bilingual;
}

export interface LinkView {
  link: 'primary' | 'backup';
  address: string;
  /** Did the agent answer on this link at the last poll (null: not polled, Prometheus mode without data). */
  answered: boolean | null;
  /** The agent answers over another link, not over this one: this link is down, not the agent. */
  lost?: boolean;
  error?: string;
  /** The data center cannot reach the agent over this link: it pushes over it (`answered`: a fresh push came). */
  pushed?: boolean;
}

export interface SiteView {
  id: string;
  name: string;
  role: string;
  state: State;
  links: LinkView[];
  items: SiteItemView[];
  agent?: { version: string; now: string; clockOffsetSeconds?: number };
}

export interface ItemView {
  check: string;
  state: State;
  since: string | null;
  blocking: boolean;
  /** Why it is not GO (the first site's reason), in both languages. */
  reason?: Bilingual;
  fix?: Bilingual;
  /** Sites where the item is not GO. */
  sites: string[];
  signoff?: SignoffView;
  /** The shared-cause incident (its item) this failure is part of: nothing to fix locally. */
  incident?: string;
  ack?: AckView;
}

export interface UnitView {
  code: string;
  name: string;
  kind: string;
  hotSpot: boolean;
  districts: string[];
  state: State;
  since: string | null;
  maintenance: Window[];
  items: ItemView[];
  sites: SiteView[];
}

/** The overview's line for a unit: what is failing, nothing more. */
export interface UnitSummary {
  code: string;
  name: string;
  kind: string;
  hotSpot: boolean;
  districts: string[];
  state: State;
  since: string | null;
  failing: {
    check: string;
    state: State;
    since: string | null;
    sites: string[];
    blocking: boolean;
    incident?: string;
    ack?: { who: string; team: string };
  }[];
  sites: number;
}

/**
 * What keeps the board from seeing (Prometheus unreachable or without the rules, no agent
 * reachable at all, the board's own clock off): a banner on the page; the units it touches are
 * UNKNOWN, never NO-GO, for the board's own blindness.
 */
export interface Problem {
  kind: 'prometheus-unreachable' | 'rules-missing' | 'board-blind' | 'board-clock-off';
  reason: Bilingual;
  fix?: Bilingual;
}

export interface Evaluation {
  at: string;
  units: UnitView[];
  /** Problems with the data itself, shown on the page as a banner. */
  problems: Problem[];
}
