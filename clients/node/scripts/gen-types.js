#!/usr/bin/env node
'use strict';
// Generates the TypeScript types of healthscore.v1 from the .proto files into
// gen/ (git-ignored), with the options the client decodes messages with
// (src/index.js LOADER_OPTIONS): camelCase names, enums as strings, 64-bit
// integers as numbers, defaults filled in.
//   node scripts/gen-types.js [proto dir]

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
process.env.HEALTHSCORE_PROTO_DIR = process.argv[2] || process.env.HEALTHSCORE_PROTO_DIR || '';
const { defaultProtoDir, PROTO_FILES } = require('../src');
const protoDir = path.resolve(defaultProtoDir());
const out = path.join(root, 'gen');
fs.rmSync(out, { recursive: true, force: true });

const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
const result = spawnSync(process.execPath, [
  bin, '--grpcLib=@grpc/grpc-js', `--outDir=${out}`,
  '--longs=Number', '--enums=String', '--defaults', '--includeComments',
  ...PROTO_FILES, `--includeDirs=${protoDir}`,
], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
// The tool prints an "alpha" warning on every run; show anything else.
const stderr = (result.stderr || '').replace(/WARNING: This tool is in alpha.*\n?/g, '').trim();
if (stderr) process.stderr.write(stderr + '\n');
if (result.status !== 0) process.exit(result.status || 1);
console.log(`types for ${PROTO_FILES.length} proto files from ${protoDir} in ${path.relative(process.cwd(), out) || '.'}`);
