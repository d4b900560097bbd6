import { Test } from '@nestjs/testing';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { WarrenHealthModule } from './warren-health.indicator';

describe('WarrenHealthModule', () => {
  it('without WarrenModule says to import WarrenModule.forRoot(), not UnknownDependenciesException', async () => {
    const error = await Test.createTestingModule({ imports: [WarrenHealthModule] })
      .compile()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error).toBeInstanceOf(WarrenConfigurationError);
    expect(error?.message).toContain('import WarrenModule.forRoot()');
    expect(error?.name).not.toBe('UnknownDependenciesException');
  });
});
