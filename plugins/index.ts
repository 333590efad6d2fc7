// Every built-in generator plugin, in output order. The bin runs them all.
import type { GeneratorPlugin } from "../compiler/index.js";
import { messagesPlugin } from "./messages/index.js";
import { servicePlugin } from "./service/index.js";
import { modelPlugin } from "./model/index.js";
import { connectionsPlugin } from "./connections/index.js";
import { openapiPlugin } from "./openapi/index.js";

export const allPlugins: readonly GeneratorPlugin[] = [messagesPlugin, servicePlugin, modelPlugin, connectionsPlugin, openapiPlugin];
