import { Injectable, Module, Optional } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MESSAGES } from '../warren.messages';
import { WarrenStatus } from './warren-status';

/**
 * Warren for @nestjs/terminus 11: up while both connections are connected, publishing is not
 * blocked by a broker alarm, and every consumer that is not paused attached; the details name the
 * connection, the publishing connection and each consumer (queue, in flight, paused and by what
 * — 'user' or 'circuit-breaker' —, attached, its circuit breakers) and, when down, every problem.
 *
 *   @Get('health') @HealthCheck() check() { return this.health.check([() => this.warren.isHealthy()]); }
 */
@Injectable()
export class WarrenHealthIndicator {
  private readonly status: WarrenStatus;

  constructor(
    private readonly indicators: HealthIndicatorService,
    // Optional, so that a missing WarrenModule is said in Warren's words, not as Nest's UnknownDependenciesException.
    @Optional() status?: WarrenStatus,
  ) {
    if (!status) throw new WarrenConfigurationError(MESSAGES.healthWithoutWarren);
    this.status = status;
  }

  /** A terminus check: up or down with the details of `WarrenStatus.check()` (and, when down, every problem). */
  isHealthy(key = 'rabbitmq') {
    const indicator = this.indicators.check(key);
    const { up, problems, connection, publishConnection, consumers, gaveUp } = this.status.check();
    const details = { connection, publishConnection, consumers, ...(gaveUp ? { gaveUp } : {}), ...(up ? {} : { problems }) };
    return up ? indicator.up(details) : indicator.down(details);
  }
}

/** Import beside `TerminusModule` to inject `WarrenHealthIndicator`. */
@Module({ imports: [TerminusModule], providers: [WarrenHealthIndicator], exports: [WarrenHealthIndicator] })
export class WarrenHealthModule {}
