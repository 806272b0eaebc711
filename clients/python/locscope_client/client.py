"""One object for the two services a notebook calls: the orchestrator (runs) and inference (Score)."""
from dataclasses import dataclass
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

import grpc
import numpy as np
from google.protobuf import struct_pb2

from locscope.v1 import inference_pb2, inference_pb2_grpc, orchestrator_pb2, orchestrator_pb2_grpc

from .tensors import to_numpy

#: The servers' default message limit (64 MiB): images and captures can be large.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass
class Score:
    """One variant's Score result, as numpy."""

    variant: str
    token_log_probs: np.ndarray
    log_prob: float
    perplexity: float


def channel(address: str) -> grpc.Channel:
    """An insecure channel to `address` with the servers' message limits."""
    options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES), ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
    return grpc.insecure_channel(address, options=options)


class Locscope:
    """``orchestrator`` and ``inference`` are ``host:port`` addresses (`locscope serve all` prints them)."""

    def __init__(self, orchestrator: Optional[str] = None, inference: Optional[str] = None):
        self._channels = []
        if orchestrator:
            self._channels.append(channel(orchestrator))
            self.orchestrator = orchestrator_pb2_grpc.OrchestratorStub(self._channels[-1])
        if inference:
            self._channels.append(channel(inference))
            self.inference = inference_pb2_grpc.InferenceStub(self._channels[-1])

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Runs -------------------------------------------------------------------------------------

    def submit_run(
        self,
        experiments: Sequence[str] = (),
        *,
        run_id: str = "",
        profile: str = "",
        dataset: Optional[Mapping[str, str]] = None,
        overrides: Optional[Mapping[str, Mapping]] = None,
    ) -> orchestrator_pb2.SubmitRunResponse:
        """Starts (or resumes, or returns) a run; ``overrides`` maps experiment id → config fields."""
        request = orchestrator_pb2.SubmitRunRequest(run_id=run_id, experiments=list(experiments), profile=profile)
        if dataset:
            request.dataset.CopyFrom(orchestrator_pb2.DatasetReference(**dataset))
        for experiment, fields in (overrides or {}).items():
            struct = struct_pb2.Struct()
            struct.update(dict(fields))
            request.config_overrides[experiment].CopyFrom(struct)
        return self.orchestrator.SubmitRun(request)

    def get_run(self, run_id: str) -> orchestrator_pb2.Run:
        return self.orchestrator.GetRun(orchestrator_pb2.GetRunRequest(run_id=run_id)).run

    def watch_run(self, run_id: str, after_sequence: int = 0) -> Iterator[orchestrator_pb2.WatchRunResponse]:
        """The run's events until its done event; pass the last ``sequence`` seen to resume."""
        return self.orchestrator.WatchRun(orchestrator_pb2.WatchRunRequest(run_id=run_id, after_sequence=after_sequence))

    def cancel_run(self, run_id: str) -> orchestrator_pb2.Run:
        return self.orchestrator.CancelRun(orchestrator_pb2.CancelRunRequest(run_id=run_id)).run

    def report_files(self, run_id: str) -> Dict[str, int]:
        """Report file paths and sizes."""
        listing = self.orchestrator.GetReport(orchestrator_pb2.GetReportRequest(run_id=run_id, list_only=True))
        return {chunk.path: chunk.size for chunk in listing}

    def read_report(self, run_id: str, paths: Sequence[str]) -> Dict[str, bytes]:
        """The named report files' bytes (e.g. ``["tables.json", "baseline/summary.csv"]``)."""
        files: Dict[str, List[bytes]] = {}
        for chunk in self.orchestrator.GetReport(orchestrator_pb2.GetReportRequest(run_id=run_id, paths=list(paths))):
            files.setdefault(chunk.path, []).append(chunk.data)
        return {path: b"".join(parts) for path, parts in files.items()}

    # Inference --------------------------------------------------------------------------------

    def score(
        self,
        model: str,
        image: bytes,
        prompt: str,
        target: str,
        variants: Sequence[inference_pb2.Variant],
    ) -> Dict[str, Score]:
        """Teacher-forced log-probs of ``target`` after ``prompt`` on ``image`` (encoded bytes), per variant."""
        request = inference_pb2.ScoreRequest(
            model=model, image=inference_pb2.ImageInput(encoded=image), prompt=prompt, target=target, variants=list(variants)
        )
        response = self.inference.Score(request)
        return {
            s.variant: Score(s.variant, to_numpy(s.token_log_probs), s.log_prob, s.perplexity) for s in response.scores
        }
