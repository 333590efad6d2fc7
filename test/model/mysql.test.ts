import { defineModelSuite } from "./suite.js";
import { mysqlBackend } from "./support/backends.js";

defineModelSuite(mysqlBackend);
