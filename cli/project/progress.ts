// One line per step that takes a moment: "› installing dependencies … done in 3.2 s".
export async function step<T>(label: string, run: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  process.stdout.write(`› ${label} …`);
  try {
    const result = await run();
    process.stdout.write(` done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    process.stdout.write(" failed\n");
    throw err;
  }
}

export function note(line: string): void {
  process.stdout.write(`${line}\n`);
}
