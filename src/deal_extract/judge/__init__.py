"""The judge of deal candidates (issue 23): the rules propose, a trained model decides.

- :mod:`.candidates`: the partner sets to decide on (the rules' deals, pairs near a deal cue, sets);
- :mod:`.words`: the words the candidates and features read from ``patterns/``;
- :mod:`.features`: one row of general features per candidate (never a name);
- :mod:`.model`: the model file (LightGBM text, isotonic calibration, threshold; JSON, no pickle);
- :mod:`.calibration`: the isotonic step function;
- :mod:`.select`: the kept candidates and their records;
- :mod:`.component`: what the ``deal_extract_judge`` spaCy component does to a Doc;
- :mod:`.labels`, :mod:`.dataset`, :mod:`.train`: training data from gold files, and training;
- :mod:`.lobo`: the leave-one-batch-out measurement against the rules.
"""
