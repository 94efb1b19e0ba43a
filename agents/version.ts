// The agent's version, kept in step with package.json by a test (the bundle cannot read package.json).
export const AGENT_VERSION = '0.1.0';
