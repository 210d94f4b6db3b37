import { fileURLToPath } from 'node:url';

/** The package root (this file is src/paths.ts, or dist/paths.js once built). */
export const packageRoot = fileURLToPath(new URL('../', import.meta.url));
export const builtinTemplatesDir = fileURLToPath(new URL('../templates/', import.meta.url));
