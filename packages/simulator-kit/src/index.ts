export { simulatorConfigSchema, type SimulatorConfig } from './config.js';
export { runSimulator, type RunSimulatorOptions } from './run-simulator.js';
