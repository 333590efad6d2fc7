import { defineModelSuite } from "./suite.js";
import { memoryBackend } from "./support/backends.js";

defineModelSuite(memoryBackend);
