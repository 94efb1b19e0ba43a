// The clock item of the embedded board: the agent's clock against the board's.

/** The clock item: offset between the agent's clock and ours, allowing for the request's round trip. */
export function clockOffsetOk(
  boardSentMs: number,
  boardReceivedMs: number,
  agentNowMs: number,
  maxOffsetSeconds: number,
): { ok: boolean; offsetSeconds: number } {
  const rtt = Math.max(0, boardReceivedMs - boardSentMs);
  // The agent wrote `now` somewhere between sending and receiving: its best estimate is the middle.
  const offset = (agentNowMs - (boardSentMs + rtt / 2)) / 1000;
  return { ok: Math.abs(offset) - rtt / 2000 <= maxOffsetSeconds, offsetSeconds: offset };
}
