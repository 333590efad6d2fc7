import { defineModelSuite } from "./suite.js";
import { keyValueSingleBackend } from "./support/backends.js";

defineModelSuite(keyValueSingleBackend);
