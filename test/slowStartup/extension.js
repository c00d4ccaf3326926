// Test-only extension: activated at startup, it finishes activating only once the test creates the
// file named by PROC_MEMORY_TEST_RELEASE_STARTUP (60 s at most). Until then the extension host's
// startup is not finished, and extensions activated on onStartupFinished wait (VS Code starts them
// anyway after 10 s).
const { existsSync } = require('fs');

function activate() {
  const release = process.env.PROC_MEMORY_TEST_RELEASE_STARTUP;
  const deadline = Date.now() + 60_000;
  return new Promise((resolve) => {
    const check = () => (!release || existsSync(release) || Date.now() > deadline ? resolve() : setTimeout(check, 100));
    check();
  });
}

module.exports = { activate };
