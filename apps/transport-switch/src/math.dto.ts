import { IsInt } from 'class-validator';

export class MultiplyDto {
  @IsInt()
  a!: number;

  @IsInt()
  b!: number;
}
