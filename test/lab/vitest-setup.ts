// Each vitest worker gets a lab of its own (ZKAFKA_LAB_INDEX = the worker's pool id, 1..maxWorkers), so
// end-to-end test files run in parallel without sharing hosts. A ZKAFKA_LAB_INDEX set by hand wins
// (then run one file at a time).
if (!process.env.ZKAFKA_LAB_INDEX && process.env.VITEST_POOL_ID) process.env.ZKAFKA_LAB_INDEX = process.env.VITEST_POOL_ID;
