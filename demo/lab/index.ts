// The demo's lab (`sansang demo --lab`): sites in network namespaces, real link cuts, packet loss.
export { startLabDemo, type LabDemo, type LabDemoOptions } from './run-lab.ts';
export { Lab, cleanStale, labUnavailable } from './topology.ts';
export { LAB_RANGES, labInventory, makePlan, probeHosts, type LabInventoryOptions, type LabPlan, type LabSite } from './plan.ts';
