import { defineModelSuite } from "./suite.js";
import { redisBackend } from "./support/backends.js";

defineModelSuite(redisBackend);
