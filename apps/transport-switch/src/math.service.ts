import { Injectable } from '@nestjs/common';
import type { MultiplyDto } from './math.dto';

/** The one implementation both the message handler and the HTTP route call. */
@Injectable()
export class MathService {
  multiply({ a, b }: MultiplyDto): { product: number } {
    return { product: a * b };
  }
}
