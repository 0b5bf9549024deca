//! Intake forms (docs/PRODUCT.md §7): the questions a practice asks a patient before a visit, and
//! the patient's answers checked against them. A form's questions are not health data (the
//! practice wrote them for everyone); the answers are, so their `Debug` is redacted.

use std::fmt;

use time::{Date, Month};

use crate::TextLimit;
use crate::birth_date::split_iso;

crate::stored::stored_words! {
    /// What kind of answer a question takes, as stored in a form version's questions.
    #[derive(serde::Deserialize)]
    #[serde(try_from = "String")]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum QuestionKind ("question kind") {
        /// One line of text (at most 200 characters).
        ShortText = "short_text",
        /// Several lines (at most 5000 characters).
        LongText = "long_text",
        /// Yes or no.
        YesNo = "yes_no",
        /// One of the question's choices.
        SingleChoice = "single_choice",
        /// Any of the question's choices.
        MultipleChoice = "multiple_choice",
        /// A calendar date.
        Date = "date",
        /// A number, whole or decimal.
        Number = "number",
    }
}

impl QuestionKind {
    /// How the builder names the kind.
    pub fn label(self) -> &'static str {
        match self {
            QuestionKind::ShortText => "Short text",
            QuestionKind::LongText => "Long text",
            QuestionKind::YesNo => "Yes or no",
            QuestionKind::SingleChoice => "One choice",
            QuestionKind::MultipleChoice => "Several choices",
            QuestionKind::Date => "Date",
            QuestionKind::Number => "Number",
        }
    }

    /// Whether the question lists choices to pick from.
    pub fn has_choices(self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        )
    }

    /// Most characters of one typed answer.
    fn answer_max(self) -> usize {
        match self {
            QuestionKind::LongText => LONG_ANSWER_MAX,
            QuestionKind::Number => NUMBER_MAX,
            QuestionKind::Date => 10,
            _ => SHORT_ANSWER_MAX,
        }
    }
}

const TITLE_MAX: usize = 120;
const PROMPT_MAX: usize = 300;
const CHOICE_MAX: usize = 100;
const SHORT_ANSWER_MAX: usize = 200;
const LONG_ANSWER_MAX: usize = 5000;
const NUMBER_MAX: usize = 20;

/// One question of a form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
    /// The choices of a choice question, in order (none for other kinds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// A question as typed, before it is checked.
#[derive(Debug, Clone, Copy)]
pub struct TypedQuestion<'a> {
    pub prompt: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub choices: &'a [String],
}

/// Where in a form a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormPart {
    Title,
    /// The list of questions as a whole.
    Questions,
    /// The prompt of the question at this position (from 0).
    Prompt(usize),
    Kind(usize),
    Choices(usize),
}

/// Why a form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("Give the form a title.")]
    EmptyTitle,
    #[error("Use at most 120 characters.")]
    TitleTooLong,
    #[error("Ask at least one question.")]
    NoQuestions,
    #[error("Ask at most 40 questions.")]
    TooManyQuestions,
    #[error("Write the question.")]
    EmptyPrompt,
    #[error("Use at most 300 characters.")]
    PromptTooLong,
    #[error("Choose what kind of answer the question takes.")]
    UnknownKind,
    #[error("List at least two choices, one per line.")]
    TooFewChoices,
    #[error("List at most 20 choices.")]
    TooManyChoices,
    #[error("Keep each choice to at most 100 characters.")]
    ChoiceTooLong,
    #[error("Each choice must be different.")]
    RepeatedChoice,
    #[error("Remove the invisible control characters.")]
    ControlCharacters,
}

/// A form's title and questions, checked: what one version of a form asks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormDefinition {
    title: String,
    questions: Vec<Question>,
}

impl FormDefinition {
    pub const MOST_QUESTIONS: usize = 40;
    pub const MOST_CHOICES: usize = 20;
    pub const TITLE_LIMIT: TextLimit = TextLimit {
        typed: TITLE_MAX * 4,
        told: TITLE_MAX,
    };

    /// Checks a typed form, reporting every problem with where it is.
    pub fn parse(
        title: &str,
        questions: &[TypedQuestion<'_>],
    ) -> Result<FormDefinition, Vec<(FormPart, FormError)>> {
        let mut problems = Vec::new();
        let title = match one_line(
            title,
            TITLE_MAX,
            FormError::EmptyTitle,
            FormError::TitleTooLong,
        ) {
            Ok(t) => t,
            Err(e) => {
                problems.push((FormPart::Title, e));
                String::new()
            }
        };
        if questions.is_empty() {
            problems.push((FormPart::Questions, FormError::NoQuestions));
        }
        if questions.len() > Self::MOST_QUESTIONS {
            problems.push((FormPart::Questions, FormError::TooManyQuestions));
            return Err(problems);
        }
        let mut kept = Vec::with_capacity(questions.len());
        for (i, typed) in questions.iter().enumerate() {
            match question(typed) {
                Ok(q) => kept.push(q),
                Err(found) => problems.extend(found.into_iter().map(|(part, e)| (part(i), e))),
            }
        }
        match problems.is_empty() {
            true => Ok(FormDefinition {
                title,
                questions: kept,
            }),
            false => Err(problems),
        }
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// Checks submitted answers (one list of values per question, in order; missing ones are
    /// blank), giving them back cleaned, or every problem by question position.
    pub fn answers(&self, typed: &[Vec<String>]) -> Result<FormAnswers, Vec<(usize, AnswerError)>> {
        let mut problems = Vec::new();
        let mut kept = Vec::with_capacity(self.questions.len());
        for (i, q) in self.questions.iter().enumerate() {
            let values = typed.get(i).map(Vec::as_slice).unwrap_or_default();
            match answer(q, values) {
                Ok(v) => kept.push(v),
                Err(e) => problems.push((i, e)),
            }
        }
        match problems.is_empty() {
            true => Ok(FormAnswers(kept)),
            false => Err(problems),
        }
    }

    /// A draft as typed so far, kept whatever it holds but bounded: one list per question, each
    /// value cut to what its question accepts, no more values than it has choices.
    pub fn draft(&self, typed: &[Vec<String>]) -> FormAnswers {
        let kept = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let most = match q.kind {
                    QuestionKind::MultipleChoice => q.choices.len(),
                    _ => 1,
                };
                typed
                    .get(i)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter(|v| !v.trim().is_empty())
                    .take(most)
                    .map(|v| v.chars().take(q.kind.answer_max()).collect())
                    .collect()
            })
            .collect();
        FormAnswers(kept)
    }
}

/// A question of a form as typed: blank parts refused, choices only for choice questions.
#[allow(clippy::type_complexity)] // A list of (where, why): naming it would only hide it.
fn question(
    typed: &TypedQuestion<'_>,
) -> Result<Question, Vec<(fn(usize) -> FormPart, FormError)>> {
    let mut problems: Vec<(fn(usize) -> FormPart, FormError)> = Vec::new();
    let prompt = one_line(
        typed.prompt,
        PROMPT_MAX,
        FormError::EmptyPrompt,
        FormError::PromptTooLong,
    )
    .map_err(|e| problems.push((FormPart::Prompt, e)))
    .ok();
    let kind = QuestionKind::parse(typed.kind.trim())
        .map_err(|_| problems.push((FormPart::Kind, FormError::UnknownKind)))
        .ok();
    let choices = match kind {
        Some(k) if k.has_choices() => choices(typed.choices)
            .map_err(|e| problems.push((FormPart::Choices, e)))
            .ok(),
        _ => Some(Vec::new()),
    };
    match (prompt, kind, choices) {
        (Some(prompt), Some(kind), Some(choices)) if problems.is_empty() => Ok(Question {
            prompt,
            kind,
            required: typed.required,
            choices,
        }),
        _ => Err(problems),
    }
}

fn choices(typed: &[String]) -> Result<Vec<String>, FormError> {
    let mut kept: Vec<String> = Vec::new();
    for choice in typed.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if kept.len() == FormDefinition::MOST_CHOICES {
            return Err(FormError::TooManyChoices);
        }
        let choice = one_line(
            choice,
            CHOICE_MAX,
            FormError::TooFewChoices,
            FormError::ChoiceTooLong,
        )?;
        if kept
            .iter()
            .any(|k| k.to_lowercase() == choice.to_lowercase())
        {
            return Err(FormError::RepeatedChoice);
        }
        kept.push(choice);
    }
    match kept.len() {
        0 | 1 => Err(FormError::TooFewChoices),
        _ => Ok(kept),
    }
}

/// One line of text: trimmed, inner whitespace folded, not empty, at most `max` characters.
fn one_line(
    input: &str,
    max: usize,
    empty: FormError,
    too_long: FormError,
) -> Result<String, FormError> {
    if input.chars().nth(max * 4).is_some() {
        return Err(too_long);
    }
    if input.chars().any(|c| c.is_control() && c != '\t') {
        return Err(FormError::ControlCharacters);
    }
    let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(empty);
    }
    if folded.chars().count() > max {
        return Err(too_long);
    }
    Ok(folded)
}

/// Why an answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("Answer this question.")]
    Required,
    #[error("Use at most 200 characters.")]
    ShortTooLong,
    #[error("Use at most 5000 characters.")]
    LongTooLong,
    #[error("Keep the answer to one line.")]
    NotOneLine,
    #[error("Choose yes or no.")]
    NotYesOrNo,
    #[error("Choose one of the choices.")]
    NotAChoice,
    #[error("Choose only one.")]
    SeveralChosen,
    #[error("Enter a date like 2026-03-14.")]
    NotADate,
    #[error("Enter a number, like 42 or 98.6.")]
    NotANumber,
    #[error("Remove the invisible control characters.")]
    ControlCharacters,
}

fn answer(q: &Question, typed: &[String]) -> Result<Vec<String>, AnswerError> {
    let values: Vec<&str> = typed
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return match q.required {
            true => Err(AnswerError::Required),
            false => Ok(Vec::new()),
        };
    }
    let one = || match values.as_slice() {
        [one] => Ok(*one),
        _ => Err(AnswerError::SeveralChosen),
    };
    let value = match q.kind {
        QuestionKind::ShortText => {
            let v = one()?;
            if v.contains(['\n', '\r']) {
                return Err(AnswerError::NotOneLine);
            }
            text(v, SHORT_ANSWER_MAX, AnswerError::ShortTooLong)?
        }
        QuestionKind::LongText => text(one()?, LONG_ANSWER_MAX, AnswerError::LongTooLong)?,
        QuestionKind::YesNo => match one()?.to_lowercase().as_str() {
            "yes" => "yes".to_owned(),
            "no" => "no".to_owned(),
            _ => return Err(AnswerError::NotYesOrNo),
        },
        QuestionKind::SingleChoice => chosen(q, one()?)?,
        QuestionKind::MultipleChoice => {
            // Kept in the order the form lists them, each once.
            let picked = values
                .iter()
                .map(|v| chosen(q, v))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(q
                .choices
                .iter()
                .filter(|c| picked.contains(c))
                .cloned()
                .collect());
        }
        QuestionKind::Date => date(one()?)?,
        QuestionKind::Number => number(one()?)?,
    };
    Ok(vec![value])
}

fn text(v: &str, max: usize, too_long: AnswerError) -> Result<String, AnswerError> {
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AnswerError::ControlCharacters);
    }
    if v.chars().count() > max {
        return Err(too_long);
    }
    Ok(v.replace("\r\n", "\n"))
}

fn chosen(q: &Question, v: &str) -> Result<String, AnswerError> {
    q.choices
        .iter()
        .find(|c| c.as_str() == v)
        .cloned()
        .ok_or(AnswerError::NotAChoice)
}

fn date(v: &str) -> Result<String, AnswerError> {
    let (year, month, day) = split_iso(v).ok_or(AnswerError::NotADate)?;
    let month = Month::try_from(month).map_err(|_| AnswerError::NotADate)?;
    Date::from_calendar_date(year, month, day).map_err(|_| AnswerError::NotADate)?;
    Ok(v.to_owned())
}

/// A number as written, checked: an optional minus, digits, and a decimal point or comma
/// followed by digits ("98.6", "-3", "1,5" kept as "1.5").
fn number(v: &str) -> Result<String, AnswerError> {
    if v.chars().count() > NUMBER_MAX {
        return Err(AnswerError::NotANumber);
    }
    let digits = v.strip_prefix('-').unwrap_or(v).replace(',', ".");
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits.as_str(), None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
        return Err(AnswerError::NotANumber);
    }
    Ok(v.replace(',', "."))
}

/// Answers to a form, one list of values per question in order (empty: not answered). Health
/// data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FormAnswers(Vec<Vec<String>>);

impl FormAnswers {
    /// The values per question.
    pub fn values(&self) -> &[Vec<String>] {
        &self.0
    }

    /// The values of the question at `i` (none when unanswered).
    pub fn of(&self, i: usize) -> &[String] {
        self.0.get(i).map(Vec::as_slice).unwrap_or_default()
    }

    /// How the answer to the question at `i` reads: "Yes", "Asthma, Diabetes", "" when blank.
    pub fn words(&self, q: &Question, i: usize) -> String {
        let values = self.of(i);
        match q.kind {
            QuestionKind::YesNo => match values.first().map(String::as_str) {
                Some("yes") => "Yes".to_owned(),
                Some("no") => "No".to_owned(),
                _ => values.join(", "),
            },
            _ => values.join(", "),
        }
    }
}

impl fmt::Debug for FormAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FormAnswers(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed<'a>(
        prompt: &'a str,
        kind: &'a str,
        required: bool,
        choices: &'a [String],
    ) -> TypedQuestion<'a> {
        TypedQuestion {
            prompt,
            kind,
            required,
            choices,
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn health_form() -> FormDefinition {
        let conditions = strings(&["Asthma", "Diabetes", "Heart disease"]);
        let visit = strings(&["In person", "Video"]);
        FormDefinition::parse(
            "  New patient   history ",
            &[
                typed("Your pharmacy", "short_text", false, &[]),
                typed("Anything else we should know?", "long_text", false, &[]),
                typed("Do you smoke?", "yes_no", true, &[]),
                typed(
                    "How would you like to be seen?",
                    "single_choice",
                    true,
                    &visit,
                ),
                typed("Conditions", "multiple_choice", false, &conditions),
                typed("Date of your last visit", "date", false, &[]),
                typed("Weight in kg", "number", true, &[]),
            ],
        )
        .expect("a good form")
    }

    #[test]
    fn a_form_with_every_kind_of_question_reads_as_typed_with_whitespace_folded() {
        let form = health_form();
        assert_eq!(form.title(), "New patient history");
        assert_eq!(form.questions().len(), 7);
        assert_eq!(form.questions()[4].choices.len(), 3);
        assert!(form.questions()[0].choices.is_empty());
    }

    #[test]
    fn every_problem_of_a_form_is_told_with_its_place() {
        let one = strings(&["Only"]);
        let repeated = strings(&["Yes", "yes"]);
        let problems = FormDefinition::parse(
            " ",
            &[
                typed("", "short_text", false, &[]),
                typed("Pick", "single_choice", false, &one),
                typed("Pick again", "multiple_choice", false, &repeated),
                typed("Colour", "colour", false, &[]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                (FormPart::Title, FormError::EmptyTitle),
                (FormPart::Prompt(0), FormError::EmptyPrompt),
                (FormPart::Choices(1), FormError::TooFewChoices),
                (FormPart::Choices(2), FormError::RepeatedChoice),
                (FormPart::Kind(3), FormError::UnknownKind),
            ]
        );
        assert_eq!(
            FormDefinition::parse("Empty", &[]).unwrap_err(),
            vec![(FormPart::Questions, FormError::NoQuestions)]
        );
    }

    #[test]
    fn answers_are_checked_against_their_question_and_cleaned() {
        let form = health_form();
        let answers = form
            .answers(&[
                strings(&[" Main Street Pharmacy "]),
                vec![],
                strings(&["No"]),
                strings(&["Video"]),
                strings(&["Heart disease", "Asthma"]),
                strings(&["2026-03-14"]),
                strings(&["72,5"]),
            ])
            .expect("good answers");
        assert_eq!(answers.of(0), ["Main Street Pharmacy"]);
        assert!(answers.of(1).is_empty());
        assert_eq!(answers.words(&form.questions()[2], 2), "No");
        // Several choices come back in the form's order.
        assert_eq!(answers.of(4), ["Asthma", "Heart disease"]);
        assert_eq!(answers.of(6), ["72.5"]);
    }

    #[test]
    fn wrong_answers_are_refused_by_question() {
        let form = health_form();
        let problems = form
            .answers(&[
                strings(&["line one\nline two"]),
                vec![],
                strings(&["maybe"]),
                strings(&["Video", "In person"]),
                strings(&["Gout"]),
                strings(&["2026-02-30"]),
                strings(&["about 70"]),
            ])
            .unwrap_err();
        assert_eq!(
            problems,
            vec![
                (0, AnswerError::NotOneLine),
                (2, AnswerError::NotYesOrNo),
                (3, AnswerError::SeveralChosen),
                (4, AnswerError::NotAChoice),
                (5, AnswerError::NotADate),
                (6, AnswerError::NotANumber),
            ]
        );
        // Required questions left blank, and nothing else.
        let blank = form.answers(&[]).unwrap_err();
        assert_eq!(
            blank,
            vec![
                (2, AnswerError::Required),
                (3, AnswerError::Required),
                (6, AnswerError::Required),
            ]
        );
    }

    #[test]
    fn a_draft_keeps_what_was_typed_but_no_more_than_the_form_holds() {
        let form = health_form();
        let long = "x".repeat(10_000);
        let draft = form.draft(&[
            vec![long.clone()],
            vec![long],
            strings(&["maybe"]),
            strings(&["Video", "In person"]),
            strings(&["a", "b", "c", "d", "e"]),
            vec![],
            vec![],
            strings(&["beyond the last question"]),
        ]);
        assert_eq!(draft.values().len(), 7);
        assert_eq!(draft.of(0)[0].chars().count(), 200);
        assert_eq!(draft.of(1)[0].chars().count(), 5000);
        // A draft is not checked: "maybe" waits to be corrected.
        assert_eq!(draft.of(2), ["maybe"]);
        assert_eq!(draft.of(3), ["Video"]);
        assert_eq!(draft.of(4).len(), 3);
    }

    #[test]
    fn answers_keep_their_words_out_of_logs() {
        let form = health_form();
        let answers = form.draft(&[strings(&["Main Street Pharmacy"])]);
        assert_eq!(format!("{answers:?}"), "FormAnswers(***)");
    }

    #[test]
    fn a_stored_form_reads_back_and_an_unknown_kind_does_not() {
        let form = health_form();
        let json = serde_json::to_string(&form).unwrap();
        assert!(json.contains("\"multiple_choice\""));
        let back: FormDefinition = serde_json::from_str(&json).unwrap();
        assert_eq!(back, form);
        let bad = json.replace("\"yes_no\"", "\"maybe\"");
        assert!(serde_json::from_str::<FormDefinition>(&bad).is_err());
    }
}
