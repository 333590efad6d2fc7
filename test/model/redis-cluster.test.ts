import { defineModelSuite } from "./suite.js";
import { clusterBackend } from "./support/backends.js";

defineModelSuite(clusterBackend);
