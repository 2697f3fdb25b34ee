import { existsSync } from "node:fs";

/**
 * Reports whether a program is installed under /usr, which the sandbox
 * mounts read-only, so commands inside the sandbox can run it. Tests use it
 * for optional programs (curl, python3, sqlite3) that a minimal Debian
 * machine may lack.
 */
export function hasSandboxTool(name: string): boolean {
  return existsSync(`/usr/bin/${name}`) || existsSync(`/usr/local/bin/${name}`);
}
