"""One beam-width limit for the engine, the commands and the app (seqbot/contract/limits.py):
it was 64 for `seqbot translate` and a checkpoint's decoding settings, 32 for the app's settings
and `seqbot chat` (issue 21 item 3).

    python -m pytest tests/test_beam_limit.py -q
"""

from __future__ import annotations

import pytest

from seqbot.app.settings import AppSettings, check_beam_width
from seqbot.cli import main
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.limits import MAX_BEAM


@pytest.mark.parametrize("command", ["translate", "chat"])
def test_the_commands_refuse_a_beam_wider_than_the_limit_before_loading_a_model(command, tmp_path, capsys):
    missing = str(tmp_path / "none.npz")  # the width is refused first, so no model is needed
    assert main([command, "--checkpoint", missing, "--beam", str(MAX_BEAM + 1), "hi"]) == 2
    error = capsys.readouterr().err
    assert f"beam width must be a whole number from 1 to {MAX_BEAM}" in error and "Traceback" not in error
    assert main([command, "--checkpoint", missing, "--beam", str(MAX_BEAM), "hi"]) == 2
    assert "not found" in capsys.readouterr().err  # the widest allowed beam got as far as loading


def test_the_app_settings_and_a_checkpoints_decoding_use_the_same_limit():
    assert check_beam_width(str(MAX_BEAM)) == MAX_BEAM
    with pytest.raises(ValueError, match=f"from 1 to {MAX_BEAM}$"):
        check_beam_width(str(MAX_BEAM + 1))
    assert AppSettings.from_dict({"beam_width": MAX_BEAM + 1}).beam_width == AppSettings().beam_width
    assert DecodingConfig(beam=MAX_BEAM).beam == MAX_BEAM
    with pytest.raises(ValueError, match=f"from 1 to {MAX_BEAM}, got {MAX_BEAM + 1}"):
        DecodingConfig(beam=MAX_BEAM + 1)
