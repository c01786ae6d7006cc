/** Expected failures are values: a stable code for programs and a message written for the person who asked. */
export class DomainError {
  readonly kind = 'domain-error' as const;
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;

export const fail = (code: string, message: string): DomainError => new DomainError(code, message);
