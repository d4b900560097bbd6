import { Controller, UsePipes, ValidationPipe } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { MultiplyDto } from './math.dto';
import { MathService } from './math.service';

/** Written only against @nestjs/microservices: it does not know which transport carries it. */
@Controller()
@UsePipes(
  new ValidationPipe({
    exceptionFactory: (errors) =>
      new RpcException({ code: 'VALIDATION_FAILED', message: errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') }),
  }),
)
export class MathController {
  /** Event ids this instance has seen (the e2e spec and the sample's log read them). */
  readonly audited: string[] = [];

  constructor(private readonly math: MathService) {}

  @MessagePattern('math.multiply')
  multiply(@Payload() dto: MultiplyDto) {
    return this.math.multiply(dto);
  }

  @MessagePattern({ cmd: 'math.divide' })
  divide(@Payload() { a, b }: MultiplyDto) {
    if (b === 0) throw new RpcException({ code: 'DIVISION_BY_ZERO', message: 'cannot divide by zero' });
    return { quotient: a / b };
  }

  @EventPattern('math.audited')
  audit(@Payload() event: { id: string }) {
    this.audited.push(event.id);
    process.stdout.write(`AUDITED ${event.id}\n`);
  }
}
