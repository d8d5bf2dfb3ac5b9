package dev.moa.protocol.config;

/**
 * A model's price in USD per million tokens.
 *
 * @param inputPerMillion prompt tokens
 * @param outputPerMillion completion tokens
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {

  /** The cost in USD of one call with these token counts. */
  public double cost(long promptTokens, long completionTokens) {
    return (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1_000_000.0;
  }
}
