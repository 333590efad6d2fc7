// Durability helpers: a rename or a new file is durable only once its directory is synced.
import { open } from "node:fs/promises";

export const syncDir = async (dir: string): Promise<void> => {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
};
