// Starts shop: `npm start` (PORT overrides 3000; rony.config.json and env vars configure connections).
import { createApp } from "./app.js";

const app = await createApp();
const port = await app.server.listen(Number(process.env.PORT ?? 3000));
console.log(`shop listening on port ${port}`);
console.log(`  WebSocket: ws://localhost:${port}/ws`);
console.log(`  HTTP:      curl http://localhost:${port}/hello/world`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
