// Where the demo listens and writes by default: kept apart from run.ts so the command line can
// show them in its help without loading the demo.
export const DEMO_DEFAULTS = {
  inventory: 'inventory/examples/demo.yaml',
  dir: '.sansang/demo',
  board: '127.0.0.1:18700',
  control: '127.0.0.1:18799',
  prometheus: '127.0.0.1:18790',
};
