/**
 * derrick: a WebAssembly engine for Node.js whose compiler is written in TypeScript.
 * This is the package entry point; `require('derrick')` lands here.
 */
export const version = '0.1.0';
