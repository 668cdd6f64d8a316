#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'src-main', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('cas-studio is not built yet: run `npm run build` in ' + join(__dirname, '..'));
  process.exit(1);
}
require(entry)
  .main(process.argv)
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
