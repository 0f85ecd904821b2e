#!/usr/bin/env node
// Runs the polycache binary of this machine's platform package (installed by npm through
// optionalDependencies), passing arguments, standard streams, the exit code and signals
// through unchanged.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

// platform-arch(-libc) -> package, as published.
const PACKAGES = {
  "linux-x64-gnu": "@polycache/cli-linux-x64-gnu",
  "linux-arm64-gnu": "@polycache/cli-linux-arm64-gnu",
  "darwin-x64": "@polycache/cli-darwin-x64",
  "darwin-arm64": "@polycache/cli-darwin-arm64",
  "win32-x64": "@polycache/cli-win32-x64-msvc",
};

function platformKey() {
  const { platform, arch } = process;
  if (platform !== "linux") return `${platform}-${arch}`;
  // glibc or musl: only glibc builds are published for Linux.
  const report = typeof process.report?.getReport === "function" ? process.report.getReport() : null;
  const glibc = report && report.header && report.header.glibcVersionRuntime;
  return `${platform}-${arch}-${glibc ? "gnu" : "musl"}`;
}

function binaryPath() {
  const key = platformKey();
  const pkg = PACKAGES[key];
  const exe = process.platform === "win32" ? "polycache.exe" : "polycache";
  if (!pkg) {
    fail(`polycache has no prebuilt binary for this platform (${key}).`);
  }
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    fail(
      `the package ${pkg} (the polycache binary for ${key}) is not installed.\n` +
        "It comes with `npm install polycache` as an optional dependency: install again without " +
        "--no-optional / --omit=optional, or get polycache another way (the .deb, a release " +
        "archive, or `cargo install --locked polycache`)."
    );
  }
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
// Signals sent to this process go to polycache (Ctrl-C reaches both already, through the
// terminal's process group; kill -TERM reaches only this one).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("error", (e) => fail(`cannot run ${path.basename(binaryPath())}: ${e.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so that the caller sees what polycache saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
