import { defineModelSuite } from "./suite.js";
import { shardedBackend } from "./support/backends.js";

defineModelSuite(shardedBackend);
