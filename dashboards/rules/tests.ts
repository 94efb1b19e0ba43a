// The promtool unit tests, generated beside the rules for the inventory they were generated
// from: one unit of it, in one scenario per test group, covering every state and every alert
// (scenarios.ts) and every case of the four-state rule's table its items can stage (case-scenarios.ts).
import type { Inventory } from '../../inventory/index.ts';
import { GENERATED_CASES } from '../state-cases.ts';
import { caseGroups } from './case-scenarios.ts';
import { TestContext, testUnit, type TestGroup } from './scenario.ts';
import { cast, SCENARIOS } from './scenarios.ts';

export function promtoolTests(inv: Inventory): TestGroup[] {
  const unit = testUnit(inv);
  if (!unit) return [];
  const ctx = new TestContext(inv, unit);
  const k = cast(ctx);
  return [...SCENARIOS.flatMap((s) => s(k)), ...caseGroups(ctx, GENERATED_CASES).groups];
}

export { formatHcm, humanizeDuration, TestContext, testUnit, type TestGroup } from './scenario.ts';
