#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx's loader API on the current Node, so a clean
// clone works with `npx evergreen-avatars ...` and no build step.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./cli.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
