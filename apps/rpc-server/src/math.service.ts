import { Injectable } from '@nestjs/common';
import { RabbitRPC } from 'nestjs-warren';
import { QUEUES, SumDto, mathSum } from '../../shared/contracts';

@Injectable()
export class MathService {
  /** `{ a: 1.5 }` never gets here: the caller receives RemoteError VALIDATION_FAILED instead. */
  @RabbitRPC({ ...mathSum, queue: QUEUES.math })
  sum({ a, b }: SumDto) {
    return { sum: a + b };
  }
}
