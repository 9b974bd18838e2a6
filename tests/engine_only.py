"""The relation engine alone, for tests of the engine and the localiser."""
def relations_only(report, previous=None, computed=False):
    """What the relation engine alone says of a bare report (no cover or text rules): for tests of
    the engine and the localiser, which state their contract without a whole report around them."""
    from gxnb_xl.check import CheckResult
    from gxnb_xl.engine import cell_problem_findings, relation_findings
    return CheckResult(report, cell_problem_findings(report)
                       + relation_findings(report, previous=previous, computed=computed))
