#!/usr/bin/env node
// A command-line front end to the npm `solc` package (the wasm build of the real compiler) that behaves like native
// solc for the callers this project has: py-solc-x (version banner, --help, --standard-json), ape-solidity
// (through py-solc-x) and slither's crytic-compile (--combined-json with prefix=path remappings).
//
// Why not the `solcjs` CLI that ships with the package: it prints a banner line before the JSON and calls
// process.exit() right after writing, which truncates its output at 64 KiB when stdout is a pipe. Here the output is
// written once and Node is left to exit on its own after the pipe has drained (process.exitCode, never process.exit).
'use strict';

const fs = require('fs');
const path = require('path');

const solcModule = process.env.ORIGINALS_SOLC_MODULE || 'solc';

// Loading the wasm compiler costs about half a second, and py-solc-x asks for --version before every call (and for
// --help before every compile_source), so those two answer without loading it: the generated executable passes the
// version it read from this module at set-up (ORIGINALS_SOLC_VERSION), trusted only while the installed package
// still has that version. Without it, or after an upgrade, the module is loaded and asked.
let solcInstance = null;
function compiler() {
  if (solcInstance === null) solcInstance = require(solcModule);
  return solcInstance;
}

function solcVersion() {
  const known = process.env.ORIGINALS_SOLC_VERSION;
  if (known) {
    try {
      const installed = require(path.join(path.dirname(require.resolve(solcModule)), 'package.json')).version;
      if (known.startsWith(`${installed}+`)) return known;
    } catch (err) {
      // fall through to asking the compiler
    }
  }
  return compiler().version();
}

const help = () => `solc, the solidity compiler commandline interface
Version: ${solcVersion()}

Usage: solc [options] [input_file...]

Input Options:
  --base-path path      Use the given path as the root of the source tree.
  --include-path path   Make an additional source directory available to the default import callback.
  --allow-paths path(s) Accepted for compatibility; the wasm compiler reads only through the import callback.

Output Formatting:
  --combined-json abi,asm,ast,bin,bin-runtime,devdoc,function-debug,function-debug-runtime,generated-sources,generated-sources-runtime,hashes,metadata,opcodes,srcmap,srcmap-runtime,storage-layout,transient-storage-layout,userdoc
                        Output a single json document containing the specified information.

Alternative Input Modes:
  --standard-json       Switch to Standard JSON input / output mode. Reads from stdin.

Optimizer Options:
  --optimize            Enable bytecode optimizer.
  --optimize-runs n     The number of runs the optimizer is tuned for (default 200).
  --via-ir              Compile through the IR pipeline.
  --evm-version version Select the EVM version.

General Information:
  --help                Show help message and exit.
  --version             Show version and exit.
`;

// combined-json key -> [standard-json output selection, function reading it from a contract's output]
const COMBINED_KEYS = {
  abi: ['abi', (c) => c.abi],
  asm: ['evm.legacyAssembly', (c) => c.evm && c.evm.legacyAssembly],
  bin: ['evm.bytecode.object', (c) => c.evm.bytecode.object],
  'bin-runtime': ['evm.deployedBytecode.object', (c) => c.evm.deployedBytecode.object],
  devdoc: ['devdoc', (c) => c.devdoc],
  'function-debug': ['evm.bytecode.functionDebugData', (c) => c.evm.bytecode.functionDebugData],
  'function-debug-runtime': [
    'evm.deployedBytecode.functionDebugData',
    (c) => c.evm.deployedBytecode.functionDebugData,
  ],
  'generated-sources': ['evm.bytecode.generatedSources', (c) => c.evm.bytecode.generatedSources],
  'generated-sources-runtime': [
    'evm.deployedBytecode.generatedSources',
    (c) => c.evm.deployedBytecode.generatedSources,
  ],
  hashes: ['evm.methodIdentifiers', (c) => c.evm.methodIdentifiers],
  metadata: ['metadata', (c) => c.metadata],
  opcodes: ['evm.bytecode.opcodes', (c) => c.evm.bytecode.opcodes],
  srcmap: ['evm.bytecode.sourceMap', (c) => c.evm.bytecode.sourceMap],
  'srcmap-runtime': ['evm.deployedBytecode.sourceMap', (c) => c.evm.deployedBytecode.sourceMap],
  'storage-layout': ['storageLayout', (c) => c.storageLayout],
  'transient-storage-layout': ['transientStorageLayout', (c) => c.transientStorageLayout],
  userdoc: ['userdoc', (c) => c.userdoc],
};
// Keys that older callers (crytic-compile) still pass; native solc 0.8 ignores them too.
const IGNORED_KEYS = new Set(['compact-format', 'clone-bin', 'interface']);

function fail(message) {
  process.stderr.write(message + '\n');
  process.exitCode = 1;
}

function parseArgs(argv) {
  const opts = {
    basePath: null,
    includePaths: [],
    standardJson: false,
    combinedJson: null,
    files: [],
    remappings: [],
    optimize: false,
    optimizeRuns: 200,
    viaIR: false,
    evmVersion: null,
    outputDir: null,
    overwrite: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : null;
    const take = () => {
      if (inline !== null) return inline;
      if (i + 1 >= argv.length) throw new Error(`Error: option '${name}' requires an argument`);
      return argv[++i];
    };
    switch (name) {
      case '--version':
        opts.version = true;
        break;
      case '--help':
        opts.help = true;
        break;
      case '--standard-json':
        opts.standardJson = true;
        break;
      case '--base-path':
        opts.basePath = take();
        break;
      case '--include-path':
        opts.includePaths.push(take());
        break;
      case '--allow-paths':
        take(); // the wasm compiler reads only what the import callback gives it
        break;
      case '--combined-json':
        opts.combinedJson = take();
        break;
      case '--optimize':
        opts.optimize = true;
        break;
      case '--optimize-runs':
        opts.optimizeRuns = parseInt(take(), 10);
        break;
      case '--via-ir':
      case '--experimental-via-ir':
        opts.viaIR = true;
        break;
      case '--evm-version':
        opts.evmVersion = take();
        break;
      case '--output-dir':
      case '-o':
        opts.outputDir = take();
        break;
      case '--overwrite':
        opts.overwrite = true;
        break;
      case '--pretty-json':
      case '--json-indent':
      case '--no-color':
      case '--color':
        if (name === '--json-indent') take();
        break;
      default:
        if (arg === '-') opts.files.push(arg);
        else if (arg.startsWith('-')) throw new Error(`Error: unrecognised option '${arg}'`);
        else if (arg.includes('=') && !fs.existsSync(arg)) opts.remappings.push(arg);
        else opts.files.push(arg);
    }
  }
  return opts;
}

// ape-solidity compiles inside an isolated temporary copy of the project that holds only contracts/, so remapped
// imports such as node_modules/@openzeppelin/... are not under --base-path. The generated executable names the real
// project root in ORIGINALS_SOLC_IMPORT_ROOT; it is tried last, after the base path and the include paths.
const fallbackRoot = process.env.ORIGINALS_SOLC_IMPORT_ROOT || null;

function importCallback(basePath, includePaths) {
  const roots = [basePath || '', ...includePaths];
  if (fallbackRoot) roots.push(fallbackRoot);
  return (importPath) => {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => (root ? path.join(root, importPath) : importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (err) {
        // try the next root
      }
    }
    return { error: `File not found inside the base path or any of the include paths: ${importPath}` };
  };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

function standardJson(opts) {
  const input = readStdin();
  const output = compiler().compile(input, { import: importCallback(opts.basePath, opts.includePaths) });
  process.stdout.write(output);
  process.exitCode = 0; // like native solc: compile errors are reported inside the JSON
}

// Source unit names as native solc gives them to files named on the command line: relative to the base path when
// the file lies inside it, otherwise the path as given, normalised (`./a/../b.sol` -> `b.sol`) or absolute.
function sourceUnitName(file, basePath) {
  if (basePath) {
    const relative = path.relative(path.resolve(basePath), path.resolve(file));
    const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    if (relative && !outside) return relative;
    return path.resolve(file);
  }
  return path.isAbsolute(file) ? file : path.normalize(file);
}

function combinedJson(opts) {
  const keys = opts.combinedJson.split(',').filter((k) => k && !IGNORED_KEYS.has(k));
  for (const key of keys) {
    if (key !== 'ast' && !(key in COMBINED_KEYS)) throw new Error(`Error: Invalid option to --combined-json: ${key}`);
  }
  if (opts.files.length === 0) throw new Error('Error: No input files given.');
  const sources = {};
  for (const file of opts.files) {
    if (file === '-') {
      sources['<stdin>'] = { content: readStdin() };
      continue;
    }
    sources[sourceUnitName(file, opts.basePath)] = { content: fs.readFileSync(file, 'utf8') };
  }
  const selection = keys.filter((k) => k !== 'ast').map((k) => COMBINED_KEYS[k][0]);
  const settings = {
    optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns },
    remappings: opts.remappings,
    outputSelection: { '*': { '*': selection, '': keys.includes('ast') ? ['ast'] : [] } },
  };
  if (opts.viaIR) settings.viaIR = true;
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  const raw = compiler().compile(JSON.stringify({ language: 'Solidity', sources, settings }), {
    import: importCallback(opts.basePath, opts.includePaths),
  });
  const result = JSON.parse(raw);
  const errors = (result.errors || []).filter((e) => e.severity === 'error');
  for (const e of result.errors || []) process.stderr.write((e.formattedMessage || e.message) + '\n');
  if (errors.length) {
    process.exitCode = 1;
    return;
  }
  // Source mappings ("start:length:index") index into sourceList, so it is ordered by source id, not by key order.
  const sourceList = Object.entries(result.sources || {})
    .sort(([, a], [, b]) => a.id - b.id)
    .map(([unit]) => unit);
  const combined = { contracts: {}, sourceList, sources: {}, version: solcVersion() };
  for (const [unit, contracts] of Object.entries(result.contracts || {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      const entry = {};
      for (const key of keys) if (key !== 'ast') entry[key] = COMBINED_KEYS[key][1](contract);
      combined.contracts[`${unit}:${name}`] = entry;
    }
  }
  for (const [unit, source] of Object.entries(result.sources || {})) {
    combined.sources[unit] = keys.includes('ast') ? { AST: source.ast, id: source.id } : { id: source.id };
  }
  const text = JSON.stringify(combined);
  if (opts.outputDir) {
    fs.mkdirSync(opts.outputDir, { recursive: true });
    fs.writeFileSync(path.join(opts.outputDir, 'combined.json'), text);
  } else {
    process.stdout.write(text + '\n');
  }
  process.exitCode = 0;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      process.stdout.write(help());
    } else if (opts.version) {
      process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solcVersion()}\n`);
    } else if (opts.standardJson) {
      standardJson(opts);
    } else if (opts.combinedJson !== null) {
      combinedJson(opts);
    } else {
      throw new Error('Error: this solc front end supports --version, --help, --standard-json and --combined-json');
    }
  } catch (err) {
    fail(err.message);
  }
}

main();
