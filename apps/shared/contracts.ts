/**
 * What the sample services agree on: exchange names, routing keys and payload shapes. Service
 * code depends on these, not on how messages travel.
 */
import { IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { defineEvent, defineRpc } from 'nestjs-warren';
import type { WarrenExchangeOptions } from 'nestjs-warren';

export const ORDERS_EXCHANGE = 'warren.demo.orders';
const RPC_EXCHANGE = 'warren.demo.rpc';

/** Every app declares both, so they can start in any order. */
export const DEMO_EXCHANGES: WarrenExchangeOptions[] = [
  { name: ORDERS_EXCHANGE, type: 'topic' },
  { name: RPC_EXCHANGE, type: 'direct' },
];

export const ROUTES = {
  orderCreated: 'order.created',
  orderViewed: 'order.viewed',
  /** Matches `order.#.failed` only. */
  paymentFailed: 'order.eu.payment.failed',
  mathSum: 'math.sum',
  reportsGenerate: 'reports.generate',
} as const;

export const QUEUES = {
  orderEvents: 'warren.demo.order-events',
  orderFailures: 'warren.demo.order-failures',
  math: 'warren.demo.math',
  reports: 'warren.demo.reports',
} as const;

export class OrderEventDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsNumber()
  @Min(0)
  amount!: number;

  @IsOptional()
  @IsString()
  reason?: string;
}

export class SumDto {
  @IsInt()
  a!: number;

  @IsInt()
  b!: number;
}

export class ReportRequestDto {
  @IsInt()
  @Min(1)
  @Max(50)
  size!: number;
}

export interface ReportResult {
  lines: number;
  generatedBy: string;
}

/** Typed contracts: one definition types the handler, the caller and the producer (and validates). */
export const mathSum = defineRpc<SumDto, { sum: number }>({ exchange: RPC_EXCHANGE, routingKey: ROUTES.mathSum, request: SumDto });
export const reportsGenerate = defineRpc<ReportRequestDto, ReportResult>({ exchange: RPC_EXCHANGE, routingKey: ROUTES.reportsGenerate, request: ReportRequestDto });
export const orderCreated = defineEvent<OrderEventDto>({ exchange: ORDERS_EXCHANGE, routingKey: ROUTES.orderCreated, payload: OrderEventDto });
export const paymentFailed = defineEvent<OrderEventDto>({ exchange: ORDERS_EXCHANGE, routingKey: ROUTES.paymentFailed, payload: OrderEventDto });
