package dev.moa.batch;

import dev.moa.eval.Sample;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.RequestLimits;
import java.util.Map;

/** What an eval run publishes per sample: one MoaRequest, its request id run id + sample id. */
public final class EvalRequests {

  private EvalRequests() {}

  /** One MoaRequest per sample; the request id is run id + sample id. */
  public static TopicSubmitter.Keyed<MoaRequest> request(
      MoaConfigSnapshot snapshot, String runId, boolean cache, Sample s) {
    MoaRequest request =
        RequestFactory.request(
            RequestFactory.sampleRequestId(runId, s.id()),
            snapshot,
            s.messages(),
            null,
            System.currentTimeMillis(),
            Map.of(),
            // The run's start refused oversized samples; the pipeline's own ceiling is far above.
            new RequestLimits(Integer.MAX_VALUE, Integer.MAX_VALUE));
    request.setRunId(runId);
    request.setSampleId(s.id());
    request.setUseCache(cache);
    request.setGrading(grading(s));
    return new TopicSubmitter.Keyed<>(request.getRequestId(), request);
  }

  /** The sample's grader and target as the grader workers receive them, or null. */
  public static GradingSpec grading(Sample s) {
    if (s.grader() == null) {
      return null;
    }
    return GradingSpec.newBuilder()
        .setType(s.grader().type())
        .setOptionsJson(s.grader().optionsJson())
        .setTargetJson(s.targetJson())
        .build();
  }
}
