// Launched by the debugger in the integration tests: writes its environment to a file.
require('node:fs').writeFileSync(process.argv[2], JSON.stringify(process.env));
