from charter.discovery.models.base import OnProjectOrDeal
from charter.discovery.models.documents import (
    ConfirmationRequest,
    DocumentVersion,
    RequirementsDocument,
    SectionComment,
)
from charter.discovery.models.findings import Finding
from charter.discovery.models.questionnaires import (
    Answer,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    QuestionSection,
    Response,
)
from charter.discovery.models.requirements import Requirement, RequirementComment, requirement_code
from charter.discovery.models.sessions import FocusGroup, Idea, IdeaVote, Interview

__all__ = [
    "Answer",
    "Campaign",
    "ConfirmationRequest",
    "DocumentVersion",
    "Finding",
    "FocusGroup",
    "Idea",
    "IdeaVote",
    "Interview",
    "Invitation",
    "OnProjectOrDeal",
    "Question",
    "QuestionSection",
    "Questionnaire",
    "Requirement",
    "RequirementComment",
    "RequirementsDocument",
    "Response",
    "SectionComment",
    "requirement_code",
]
