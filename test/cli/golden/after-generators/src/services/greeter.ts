import { ErrorCode, RonyError } from "rony-ts/runtime";
import type { HelloReply, HelloRequest } from "../../generated/shop/greeter.js";
import type { GreeterServer } from "../../generated/shop/greeter.rony.js";
import type { AppContext } from "../app.js";

export class GreeterService implements GreeterServer<AppContext> {
  async sayHello(input: HelloRequest, ctx: AppContext): Promise<HelloReply> {
    if (input.name === "") throw new RonyError(ErrorCode.INVALID_ARGUMENT, "name is required", "name");
    const greetings = ctx.models.greeting;
    const seen = await greetings.get({ name: input.name });
    const count = (seen?.count ?? 0n) + 1n;
    await greetings.save({ name: input.name, count });
    return { message: `Hello, ${input.name}!`, count };
  }
}
